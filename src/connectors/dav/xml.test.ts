import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, children, NS, parseXml } from './xml.ts';
import { hrefPath, parseMultistatus } from './multistatus.ts';

test('parses namespaces, prefixes, entities, CDATA and self-closing tags', () => {
  const root = parseXml(`<?xml version="1.0"?><!-- c --><ns0:multistatus xmlns:ns0="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
    <ns0:response><ns0:href>/a%20b/</ns0:href><c:comp name="VEVENT"/><ns0:x>&lt;1 &amp; 2&gt; &#65;&#x42;<![CDATA[<raw>]]></ns0:x></ns0:response></ns0:multistatus>`);
  assert.equal(root.ns, NS.DAV);
  assert.equal(root.name, 'multistatus');
  const response = child(root, NS.DAV, 'response');
  assert.equal(children(response, NS.CALDAV, 'comp')[0]?.attrs.get('name'), 'VEVENT');
  assert.equal(child(response, NS.DAV, 'x')?.text, '<1 & 2> AB<raw>');
});

test('default namespace and unprefixed attributes', () => {
  const root = parseXml('<multistatus xmlns="DAV:"><sync-token>t1</sync-token></multistatus>');
  assert.equal(child(root, NS.DAV, 'sync-token')?.text, 't1');
});

test('refuses malformed XML and DOCTYPE', () => {
  assert.throws(() => parseXml('<a><b></a>'), /does not match/);
  assert.throws(() => parseXml('<!DOCTYPE x [<!ENTITY a "b">]><x/>'), /DOCTYPE/);
  assert.throws(() => parseXml('<x:a/>'), /undeclared/);
  assert.throws(() => parseXml('<a>'), /unclosed/);
});

test('multistatus: props only from 2xx propstats, response status, sync-token; hrefs decoded', () => {
  const ms = parseMultistatus(`<d:multistatus xmlns:d="DAV:"><d:response><d:href>/cal/a%20b.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
    <d:propstat><d:prop><d:displayname/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>
    <d:response><d:href>/cal/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response><d:sync-token>tok</d:sync-token></d:multistatus>`, 'REPORT', 'http://h/cal/');
  assert.equal(ms.syncToken, 'tok');
  assert.equal(ms.responses[0]?.href, '/cal/a b.ics');
  assert.equal(ms.responses[0]?.props.size, 1);
  assert.equal(ms.responses[1]?.status, 404);
});

test('hrefPath undoes Xandikos-style encoded absolute URLs', () => {
  assert.equal(hrefPath('http%3A//127.0.0.1%3A5233/user1/calendars/work/b.ics', 'http://127.0.0.1:5233/x/'), '/user1/calendars/work/b.ics');
  assert.equal(hrefPath('http://h:1/p/q.ics', 'http://h:1/'), '/p/q.ics');
});
