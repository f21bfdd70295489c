"""Tables and plots, rebuilt from result files and model manifests alone."""
