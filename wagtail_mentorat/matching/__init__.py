"""Matching mentors and mentees.

``scoring``: the pure maths (no ORM): hard constraints, the explainable score, the
suggestions for one mentee and the optimal cohort assignment.
``adapter``: loads a programme's people from the database in a fixed number of queries
and hands each proposal to :mod:`wagtail_mentorat.lifecycle`, where a person confirms it.
"""
