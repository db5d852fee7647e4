"""The trials app's writes, one module per concern (import from the module that owns a name):

- profiles: the user's profile row, fetched or created, and locked for a write.
- onboarding: the two onboarding steps and completing them.
- trial: starting and extending the 7-day trial.
- entitlements: whether the plan allows an action; the search start gate and its throttle.
- usage: counting the creators delivered against the plan's allowance.
- lifecycle_emails: scheduling the sign-up and trial emails, test sends and previews.
- subscriptions: subscription state from Stripe webhook events, and set for tests.
- staff_tools: test users in a chosen lifecycle state.

Every counter and limit is decided under a row lock (select_for_update on the user's profile
or usage row; on SQLite the IMMEDIATE transaction serialises writers), never check-then-act.
"""
