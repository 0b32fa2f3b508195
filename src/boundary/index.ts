export { RenderRefusal } from './render-refusal.js';
export { SpecBoundary } from './spec-boundary.js';
export { doublePercent, specChangelogText, specTag, specText } from './spec-text.js';
export { specShellWord, specToken, specTokenPath, TOKEN, TOKEN_PATH } from './spec-token.js';
export {
  checkSourceFileName,
  checkSourceUrl,
  sourceFileName,
  sourceTagValue,
  SOURCE_FILE_NAME,
  SPEC_SAFE_URL,
} from './source-file-name.js';
export { checkConfigString } from './config-string.js';
export { shellQuote, shellWord } from './shell-quote.js';
export { describeControl, foldToOneLine, LINE_BREAKING, normaliseLines, quotedExcerpt } from './control-characters.js';
export { specVerbatimChangelog, specVerbatimTag, specVerbatimText, verbatimPercent } from './spec-verbatim.js';
export { specScriptBody, specScriptInterpreter } from './spec-scriptlet.js';
export { specDependencyName, specDependencyVersion, type DependencyKind } from './spec-dependency.js';
export { specFileCaps, specFileLang, specFileOwner, specFilePath } from './spec-file-entry.js';
