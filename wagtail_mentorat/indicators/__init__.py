"""Quality indicators and programme self-assessment (seed 003; MENTOR's Elements of
Effective Practice). Computed in the database; coordinators only."""
