/**
 * `tirelire-client/shapes`: the JSON Schema of every answer and the helpers
 * that build them (docs/architecture.md, "One definition per answer shape").
 * The server documents its routes with these objects and writes its answers
 * to their types; a receiver may validate with them.
 */
export * from './schema.js';
export * from './shapes.js';
