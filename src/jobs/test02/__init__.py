"""test02's jobs (declared in ``infrastructure/projects/test02/project.json``)."""
