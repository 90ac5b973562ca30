"""project01's jobs (declared in ``infrastructure/projects/project01/project.json``)."""
