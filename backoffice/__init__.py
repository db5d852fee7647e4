"""The staff back office: tool pages, the admin, the audit log, retention and staff services.

The top layer below URL wiring: it may call every app's services; no app imports it.
"""
