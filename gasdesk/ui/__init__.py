"""The desktop window (PySide6): sign-in, the main window and its pages, wizards and dialogs.

The window knows the services (gasdesk.services) and the flow definitions (gasdesk.flows), never SQL.
Every user-facing text is Simplified Chinese.
"""
