"""The public page, server-rendered and in a browser."""
