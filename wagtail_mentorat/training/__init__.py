"""Training modules for mentoring programmes: pages, quizzes, completion, renewals."""
