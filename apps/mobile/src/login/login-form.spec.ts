import { describe, expect, it } from '@jest/globals';
import { findLoginForm } from './login-form.js';

const PAGE = new URL('http://127.0.0.1:4000/interaction/u1');

describe('findLoginForm', () => {
  it('picks the POST form with a password field, resolving its action and hidden fields', () => {
    const html = `
      <form method="post" action="/interaction/u1/abort"><button>Cancel</button></form>
      <form method="post" action="/interaction/u1/login?x=1&amp;y=2">
        <input type="hidden" name="csrf" value="t&#38;k">
        <input name="username"><input type="password" name="password">
      </form>`;
    const form = findLoginForm(html, PAGE);
    expect(form?.action.href).toBe('http://127.0.0.1:4000/interaction/u1/login?x=1&y=2');
    expect(form?.hiddenFields).toEqual([['csrf', 't&k']]);
  });

  it('finds nothing on a page without a password form', () => {
    expect(findLoginForm('<p>error</p><form method="get"><input type="password"></form>', PAGE)).toBeUndefined();
  });
});
