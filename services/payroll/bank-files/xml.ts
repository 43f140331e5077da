/**
 * Reading ISO 20022 XML the same careful way for every bank file: refuse a document type
 * declaration (no entity expansion), check well-formedness (errors name the line), check the root
 * Document's namespace (prefixed or default), and parse with every value kept as text.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { BankFileRefusal } from './batch.js';

/** An element as the parser gives it: children by name, attributes as @_name, text as #text. */
export type XmlNode = Record<string, unknown>;

function bad(at: string, message: string, messageZh: string): never {
  throw new BankFileRefusal('BAD_BANK_FILE', `${at}: ${message}`, `${at}：${messageZh}`, at);
}

const ROOT = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:([A-Za-z_][\w.-]*):)?Document\b([^>]*)>/;

/** The namespace URI the root Document element is in, or undefined when the root is not a Document. */
function rootNamespace(xml: string): string | undefined {
  const match = ROOT.exec(xml);
  if (!match) return undefined;
  const [, prefix, attributes] = match;
  const declaration = new RegExp(`\\sxmlns${prefix ? `:${prefix}` : ''}\\s*=\\s*(["'])(.*?)\\1`).exec(attributes);
  return declaration?.[2];
}

/**
 * The Document element of an ISO 20022 message in `namespace`, parsed with namespace prefixes
 * removed, values as text, and the elements named in `arrays` always as arrays. Throws
 * BankFileRefusal BAD_BANK_FILE naming the line or the element at fault.
 */
export function readIsoDocument(xml: string, namespace: string, arrays: readonly string[]): XmlNode {
  if (/<!DOCTYPE/i.test(xml)) bad('DOCTYPE', 'a bank file may not declare a document type', '银行文件不得声明文档类型');
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    bad(`line ${valid.err.line}`, `not well-formed XML: ${valid.err.msg}`, `XML 格式错误：${valid.err.msg}`);
  if (rootNamespace(xml) !== namespace)
    bad('Document', `not a Document in ${namespace}`, `不是 ${namespace} 的 Document`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name) => arrays.includes(name),
  });
  let parsed: XmlNode;
  try {
    parsed = parser.parse(xml) as XmlNode;
  } catch (error) {
    // The validator and the parser disagree on a few malformed inputs (an unclosed <?…?>): refuse them alike.
    const reason = error instanceof Error ? error.message : String(error);
    bad('Document', `not well-formed XML: ${reason}`, `XML 格式错误：${reason}`);
  }
  const document = parsed.Document;
  if (document === null || typeof document !== 'object') bad('Document', 'empty', '为空');
  return document as XmlNode;
}
