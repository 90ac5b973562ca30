"""Data contracts on the command line: read, lint and compile the projects' ODCS contracts,
export their rules to DQDL, test tables against them and classify their changes."""

from __future__ import annotations
