from rapport.cli import entry

entry()
