"""<project>'s jobs (declared in ``infrastructure/projects/<project>/project.json``)."""
