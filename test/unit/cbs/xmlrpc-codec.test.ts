import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMethodCall, decodeMethodResponse, XmlRpcFormatError } from '../../../src/xmlrpc/decode-xmlrpc.js';
import { encodeMethodCall, encodeXmlRpcValue } from '../../../src/xmlrpc/encode-xmlrpc.js';
import { withKeywordArgs, type XmlRpcValue } from '../../../src/xmlrpc/xmlrpc-value.js';
import { propertyRuns } from '../../support/paths.js';

const response = (value: string) =>
  `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${value}\n</param>\n</params>\n</methodResponse>\n`;

describe('XML-RPC decoding', () => {
  it('reads the value types Koji answers with', () => {
    const xml = response(`<value><struct>
      <member><name>id</name><value><int>1001</int></value></member>
      <member><name>big</name><value><i8>9007199254740993</i8></value></member>
      <member><name>small</name><value><i4>-7</i4></value></member>
      <member><name>parent</name><value><nil/></value></member>
      <member><name>label</name><value>x86_64</value></member>
      <member><name>method</name><value><string>build &amp; &lt;tag&gt; &#233;&#x41;</string></value></member>
      <member><name>locked</name><value><boolean>1</boolean></value></member>
      <member><name>weight</name><value><double>0.2</double></value></member>
      <member><name>blob</name><value><base64>aGVsbG8=</base64></value></member>
      <member><name>when</name><value><dateTime.iso8601>20261122T01:02:03</dateTime.iso8601></value></member>
      <member><name>empty</name><value><string/></value></member>
      <member><name>list</name><value><array><data><value><int>1</int></value><value>two</value></data></array></value></member>
      <member><name>cdata</name><value><string><![CDATA[a<b]]></string></value></member>
    </struct></value>`);
    const r = decodeMethodResponse(xml);
    expect(r.kind).toBe('value');
    const v = (r as { value: Record<string, XmlRpcValue> }).value;
    expect(v.id).toBe(1001);
    expect(v.big).toBe(9007199254740993n);
    expect(v.small).toBe(-7);
    expect(v.parent).toBeNull();
    expect(v.label).toBe('x86_64');
    expect(v.method).toBe('build & <tag> éA');
    expect(v.locked).toBe(true);
    expect(v.weight).toBe(0.2);
    expect(Buffer.from(v.blob as Uint8Array).toString()).toBe('hello');
    expect((v.when as Date).toISOString()).toBe('2026-11-22T01:02:03.000Z');
    expect(v.empty).toBe('');
    expect(v.list).toEqual([1, 'two']);
    expect(v.cdata).toBe('a<b');
  });

  it('reads faults', () => {
    const xml = `<?xml version="1.0"?><methodResponse><fault><value><struct>
      <member><name>faultCode</name><value><int>1014</int></value></member>
      <member><name>faultString</name><value><string>server is offline</string></value></member>
      </struct></value></fault></methodResponse>`;
    expect(decodeMethodResponse(xml)).toEqual({ kind: 'fault', faultCode: 1014, faultString: 'server is offline' });
  });

  it('refuses HTML error pages, DOCTYPEs and broken documents', () => {
    expect(() => decodeMethodResponse('<html><body>503 Service Unavailable</body></html>')).toThrow(XmlRpcFormatError);
    expect(() => decodeMethodResponse('<!DOCTYPE x [<!ENTITY a "b">]><methodResponse/>')).toThrow(XmlRpcFormatError);
    expect(() => decodeMethodResponse(response('<value><int>12</value>'))).toThrow(XmlRpcFormatError);
    expect(() => decodeMethodResponse(response('<value><int>twelve</int></value>'))).toThrow(XmlRpcFormatError);
    expect(() => decodeMethodResponse(response('<value><boolean>yes</boolean></value>'))).toThrow(XmlRpcFormatError);
    expect(() => decodeMethodResponse('')).toThrow(XmlRpcFormatError);
  });

  it('bounds nesting depth', () => {
    const deep = '<value><array><data>'.repeat(300) + '</data></array></value>'.repeat(300);
    expect(() => decodeMethodResponse(response(deep))).toThrow(XmlRpcFormatError);
  });
});

describe('XML-RPC encoding', () => {
  it('writes keyword arguments as a trailing __starstar struct', () => {
    const xml = encodeMethodCall('getTaskInfo', withKeywordArgs([42], { request: false }));
    expect(xml).toContain('<methodName>getTaskInfo</methodName>');
    expect(xml).toContain('<value><int>42</int></value>');
    expect(xml).toContain('<member><name>__starstar</name><value><boolean>1</boolean></value></member>');
    expect(xml).toContain('<member><name>request</name><value><boolean>0</boolean></value></member>');
  });

  it('uses i8 past 32 bits, nil for null, and escapes text', () => {
    expect(encodeXmlRpcValue(2 ** 31)).toBe('<value><i8>2147483648</i8></value>');
    expect(encodeXmlRpcValue(2 ** 31 - 1)).toBe('<value><int>2147483647</int></value>');
    expect(encodeXmlRpcValue(null)).toBe('<value><nil/></value>');
    expect(encodeXmlRpcValue('a<&>b')).toBe('<value><string>a&lt;&amp;&gt;b</string></value>');
  });

  it('round-trips through the decoder (property)', () => {
    const leaf = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.bigInt({ min: 2n ** 53n + 1n, max: 2n ** 62n }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
      // eslint-disable-next-line no-control-regex -- XML 1.0 cannot carry these characters, so no codec can round-trip them
      fc.string().filter((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\r\ud800-\udfff\ufffe\uffff]/.test(s)),
    );
    const tree = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(
          // eslint-disable-next-line no-control-regex -- as above, for struct member names
          fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !/[\r\u0000-\u001f]/.test(k) && k !== '__proto__'),
          tie('value'),
          { maxKeys: 4 },
        ),
      ),
    }));
    fc.assert(
      fc.property(fc.array(tree.value, { maxLength: 3 }), (params) => {
        const call = decodeMethodCall(encodeMethodCall('m', params as XmlRpcValue[]));
        expect(call.method).toBe('m');
        expect(call.params).toEqual(params);
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});
