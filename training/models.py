"""Training modules: built by the training issue; the app is installed from the start."""
