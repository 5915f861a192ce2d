"""The curators' admin: pages, the upload, article curation, the login's brute-force lock."""
