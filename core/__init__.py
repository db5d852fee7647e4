"""Shared bases every app uses: the bottom layer. It imports no app of the project."""
