from django.core.exceptions import ValidationError


class RuleViolation(ValidationError):
    """A mentoring rule refused the action. The message says, in the user's language, what
    is wrong and what to do; forms show it as a form error.

    Subclassing ``ValidationError`` lets views and admin forms call ``form.add_error(None,
    error)`` without translating between error types.
    """
