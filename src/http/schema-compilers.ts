/**
 * How route schemas become functions. Fastify compiles each route's request validators (Ajv) and
 * response serializers (fast-json-stringify) as the route is registered: for this API's ~90
 * routes that was most of the server's start-up (issue #5), although answering the first request
 * needs two or three of them. In `lazy` mode each compiler returns at once a function that
 * compiles its schema the first time it runs and then calls the compiled one, keeping Fastify's
 * contract (Ajv's `errors` after a failed validation; the parent passed for coercion) — what gets
 * validated, coerced, defaulted and serialized (responses keep only the fields their schema
 * names) is unchanged. `eager` compiles at registration, as Fastify does by itself: a test builds
 * the app that way so a schema that does not compile still fails before any request.
 */
import type { FastifyServerOptions } from 'fastify';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

export type SchemaCompilation = 'lazy' | 'eager';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

/** A compiled validator as Fastify calls it: Ajv's function (data, parent context) and its `errors`. */
interface Validator {
  (data: unknown, dataCxt?: unknown): boolean;
  errors?: unknown;
  /** Fastify passes the parent context (so Ajv can coerce a request part in place) only when set. */
  schemaEnv?: unknown;
}

// ajv-formats is CommonJS with a default export
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce ? true : false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

function lazyValidator(compile: () => Validator): Validator {
  let compiled: Validator | undefined;
  const validate: Validator = (data, dataCxt) => {
    compiled ??= compile();
    const ok = compiled(data, dataCxt);
    validate.errors = compiled.errors;
    return ok;
  };
  validate.schemaEnv = true; // every Ajv function has one
  return validate;
}

function lazySerializer(compile: () => (doc: unknown) => string): (doc: unknown) => string {
  let compiled: ((doc: unknown) => string) | undefined;
  return (doc) => (compiled ??= compile())(doc);
}

/**
 * Fastify's `schemaController` option: query strings and path params are coerced from text, JSON
 * bodies are validated strictly (two Ajv instances, built when the first validator compiles);
 * responses are serialized by fast-json-stringify, Fastify's default serializer.
 */
export function schemaControllerOptions(mode: SchemaCompilation): NonNullable<FastifyServerOptions['schemaController']> {
  let ajv: { coercing: Ajv; strict: Ajv } | undefined;
  const validatorCompiler = ({ schema, httpPart }: { schema: unknown; httpPart?: string }): Validator => {
    const compile = (): Validator => {
      ajv ??= { coercing: makeAjv(true), strict: makeAjv(false) };
      return (httpPart === 'body' ? ajv.strict : ajv.coercing).compile(schema as object) as Validator;
    };
    return mode === 'eager' ? compile() : lazyValidator(compile);
  };
  // Fastify's type wants Ajv's own function type back; Fastify itself calls only (data, parent
  // context) and reads `errors` and `schemaEnv`, which Validator provides (a custom validator
  // compiler, as setValidatorCompiler would install, but without loading @fastify/ajv-compiler)
  const buildValidator = (() => validatorCompiler) as unknown as CompilersFactory['buildValidator'];
  const buildSerializer: CompilersFactory['buildSerializer'] = (externalSchemas, options) => {
    const compiler = SerializerSelector()(externalSchemas, options);
    return (route) => (mode === 'eager' ? compiler(route) : lazySerializer(() => compiler(route)));
  };
  return { compilersFactory: { buildValidator, buildSerializer } };
}
