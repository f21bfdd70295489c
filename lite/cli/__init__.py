"""The commands: argument parsing, then a call into the layers below, then printing."""
