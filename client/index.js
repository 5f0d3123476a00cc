// tirelire/client is now the package tirelire-client; kept for existing imports.
export * from 'tirelire-client';
