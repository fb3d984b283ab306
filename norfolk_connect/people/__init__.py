"""The people of a partnership: inviting them, their roles, removing them, and the history."""
