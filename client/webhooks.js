// tirelire/client/webhooks is now the package tirelire-client/webhooks; kept for existing imports.
export * from 'tirelire-client/webhooks';
