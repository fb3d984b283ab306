"""Two-factor sign-in: a code from an authenticator app (TOTP) after the password.

Required of facilitators, administrators and superusers on local accounts where
``settings.TWO_FACTOR_REQUIRED`` is on (production), optional for everyone else; each person
also has ten single-use recovery codes, stored hashed, for when their phone is not to hand.
"""
