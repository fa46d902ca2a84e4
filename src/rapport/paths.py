"""Where a project keeps what the build makes, relative to the project folder."""

from pathlib import Path

CACHE_DIR = Path(".cache")  # charts and hyphenation, safe to delete at any time
OUTPUT_DIR = Path("build")
THEME_FILE = Path("theme") / "theme.yaml"
ARCHIVE_DIR = Path("archive")  # published editions, write-once: never delete or edit
REQUIREMENTS_LOCK = Path("requirements.lock")  # exact versions and hashes of every dependency
