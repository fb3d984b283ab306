"""Single sign-on: signing in through a partnership's own OpenID Connect provider.

A partnership may name one provider (its council's Entra ID, say). A person signs in there and
comes back with an ID token; the service signs in the active user with that verified email who
is already a member of that partnership, and no one else: having an account at the provider
gives no access by itself. Partnerships without a provider keep local accounts alone.
"""
