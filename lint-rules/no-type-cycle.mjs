import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

/**
 * import-x/no-cycle (4.18, the newest) skips `import type` and `export type … from`, with no option
 * to count them, so a cycle that runs through a type import passes it. This rule reports exactly
 * those: a cycle that closes when type imports count and doesn't without them. Value-only cycles
 * stay with import-x/no-cycle, so no cycle is reported twice. Static imports and re-exports of the
 * project's own files are followed; dynamic import() and packages are not.
 */
const resolver = createTypeScriptImportResolver();
/** file → { mtimeMs, edges }: each file is parsed once per lint run (and again only if it changed). */
const edgeCache = new Map();

function resolveInProject(source, fromFile) {
  const found = resolver.resolve(source, fromFile);
  if (!found.found || !found.path || found.path.includes(`${path.sep}node_modules${path.sep}`)) return null;
  return found.path;
}

function isTypeOnly(node) {
  if (node.type === 'ImportDeclaration') {
    return node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'));
  }
  return node.exportKind === 'type' || (node.type === 'ExportNamedDeclaration' && node.specifiers.length > 0 && node.specifiers.every((s) => s.exportKind === 'type'));
}

/** The module statements of a program that name another file: { node, target, typeOnly }. */
function edgesOf(program, file) {
  return program.body
    .filter((node) => ['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration'].includes(node.type) && node.source)
    .map((node) => ({ node, target: resolveInProject(node.source.value, file), typeOnly: isTypeOnly(node) }))
    .filter((edge) => edge.target !== null);
}

function cachedEdges(file) {
  const { mtimeMs } = statSync(file);
  const cached = edgeCache.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.edges;
  let program = null;
  try {
    program = tseslint.parser.parseForESLint(readFileSync(file, 'utf8'), { filePath: file, jsx: file.endsWith('x') }).ast;
  } catch {
    // A file that does not parse gets its own parse error from ESLint; here it just ends the walk.
  }
  const edges = program ? edgesOf(program, file).map(({ target, typeOnly }) => ({ target, typeOnly })) : [];
  edgeCache.set(file, { mtimeMs, edges });
  return edges;
}

/** Whether `to` is reachable from `from`, through value imports only or through any import. */
function reaches({ from, to, valueOnly }) {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const edge of cachedEdges(file)) {
      if (valueOnly && edge.typeOnly) continue;
      if (edge.target === to) return true;
      if (!seen.has(edge.target)) {
        seen.add(edge.target);
        queue.push(edge.target);
      }
    }
  }
  return false;
}

export const noTypeCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles that close only through type imports (import-x/no-cycle skips those).' },
    schema: [],
    messages: { typeCycle: 'Dependency cycle through a type import: "{{source}}" leads back here. Move the shared type down to where both can import it.' },
  },
  create(context) {
    const file = context.physicalFilename;
    if (!path.isAbsolute(file)) return {};
    return {
      Program(program) {
        for (const { node, target, typeOnly } of edgesOf(program, file)) {
          if (target === file || !reaches({ from: target, to: file, valueOnly: false })) continue;
          // With a value import and a value-only way back, import-x/no-cycle already reports it.
          if (!typeOnly && reaches({ from: target, to: file, valueOnly: true })) continue;
          context.report({ node, messageId: 'typeCycle', data: { source: node.source.value } });
        }
      },
    };
  },
};
