"""The jobs a command runs: one device, many devices, this host, an evaluation. Each takes typed options
(built from the command line by lite/cli) and returns a typed outcome; printing the end is the CLI's."""
