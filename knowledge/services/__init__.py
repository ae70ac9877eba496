"""Every write of the knowledge base: ``articles`` (create, edit, review, revisions,
files, feedback), ``links`` (tickets ↔ articles, turning a ticket into an article),
``scripts`` (the library and its download log), ``suggestions`` (deflection records),
``glossary``."""
