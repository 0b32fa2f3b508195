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
export { describeControl, foldToOneLine, LINE_BREAKING, normaliseLines } from './control-characters.js';
