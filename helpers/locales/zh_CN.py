"""Simplified Chinese: every English template of the helpers and its translation."""

MESSAGES = {
}
