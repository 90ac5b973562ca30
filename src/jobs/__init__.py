"""The domain's job scripts, one package per project (``src/jobs/<project>/``).

Each script runs as a file: ``dp run <project>/<job>`` locally, Glue's ``--scriptLocation``
on AWS. These packages only let tests and benchmarks import a job's functions
(``from jobs.project01 import refine``). They are not in the wheel, and no job imports
``jobs``: on Glue a script runs alone, beside the wheel.
"""
