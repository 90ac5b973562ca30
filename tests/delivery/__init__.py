"""Static tests of the delivery side: workflows, Docker image, bootstrap, pre-commit, docs."""
