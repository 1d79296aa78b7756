"""One module per document type, turning page text into facts with evidence."""
