#!/usr/bin/env node
// Every public export of every publishable package (what src/index.ts exports, namespaces such as
// nn.F included) has a doc comment. typedoc's notDocumented validation would also demand one on
// every class member and parameter, so this checks exports only, with the TypeScript compiler API.
// Prints one line; exits 1 listing what is missing.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ts = createRequire(join(root, 'package.json'))('typescript');

const missing = [];
let total = 0;
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', dir);
  const entry = join(pkgDir, 'src/index.ts');
  if (!existsSync(entry) || JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).private) continue;
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
    customConditions: ['source'], noEmit: true, skipLibCheck: true, types: [],
  });
  const checker = program.getTypeChecker();
  const visit = (sym, prefix) => {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    const decl = target.declarations?.[0];
    if (!decl) return;
    const file = decl.getSourceFile().fileName;
    if (!file.startsWith(join(pkgDir, 'src'))) return; // re-exported from another package
    if (decl.kind === ts.SyntaxKind.SourceFile) { // export * as ns
      for (const e of checker.getExportsOfModule(target)) visit(e, `${prefix}${sym.name}.`);
      return;
    }
    total++;
    if (ts.displayPartsToString(target.getDocumentationComment(checker)).trim() === '') {
      const line = decl.getSourceFile().getLineAndCharacterOfPosition(decl.getStart()).line + 1;
      missing.push(`${prefix}${sym.name} (${relative(root, file)}:${line})`);
    }
  };
  const mod = checker.getSymbolAtLocation(program.getSourceFile(entry));
  for (const e of checker.getExportsOfModule(mod)) visit(e, `@tsgrad/${dir}: `);
}
if (missing.length > 0) {
  console.error(`doc-comments: ${missing.length} public export(s) without a doc comment:`);
  for (const m of missing) console.error(`  - ${m}`);
  process.exit(1);
}
console.log(`doc-comments: ok (${total} public exports documented)`);
