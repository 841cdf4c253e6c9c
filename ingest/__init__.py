"""Files in, chunks out: loaders per format, chunking, and the sync into the knowledge base."""
