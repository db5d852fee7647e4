"""Pure, tolerant functions that turn upstream bodies into creator fields.

They accept wrapped or flat items, numbers as strings or "1.2M" texts, handles with or
without "@", links as strings or objects, and missing keys; they never raise on a shape
surprise, they leave the field empty instead.
"""
