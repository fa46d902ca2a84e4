"""Stage 6, archive: each edition published once, archival grade, provably rebuildable.

- `publish` builds an edition from a copy of its sources and stores PDF,
  sources, font hashes and a build record write-once as a BagIt bag in
  archive/YEAR (corrections as archive/YEAR-rN beside it);
- `verify` checks a bag's fixity and rebuilds its PDF byte for byte;
- `entries` lists what is archived.

Modules: store (the archive folder), bag (BagIt), record (the build record),
publish, verify, commands (the CLI). Nothing is imported here, so that
`rapport` starts fast.

docs/archive.md describes the layout and the commands.
"""
