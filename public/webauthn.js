// WebAuthn ceremonies for Latchkey's forms, with @simplewebauthn/browser (served by Latchkey as
// /static/vendor/simplewebauthn-browser.js, loaded by a classic <script> before this module).
//
// A page opts in with a form that posts like any other, plus where to get options:
//   <form method="post" action="…" data-webauthn="register|authenticate" data-options-url="…">
//     <input type="hidden" name="_csrf" value="…">   (also sent as X-CSRF-Token for the options)
//     <input type="hidden" name="challengeId"> <input type="hidden" name="response">
//     … <button type="submit">…</button>
//   </form>
// On submit the script asks the server for options, runs the ceremony, fills challengeId and
// response, and submits the form. A form with data-webauthn-autofill also starts a conditional
// (autofill) sign-in at page load, for inputs with autocomplete="username webauthn".
const browser = window.SimpleWebAuthnBrowser;

async function fetchOptions(form) {
  const response = await fetch(form.dataset.optionsUrl, {
    method: 'POST',
    headers: { 'X-CSRF-Token': form.elements._csrf.value, accept: 'application/json' },
    credentials: 'same-origin',
  });
  if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error_description || 'The server could not start this.');
  return response.json();
}

function showError(form, message) {
  let alert = form.querySelector('.webauthn-error');
  if (!alert) {
    alert = document.createElement('p');
    alert.className = 'alert webauthn-error';
    alert.setAttribute('role', 'alert');
    form.prepend(alert);
  }
  alert.textContent = message;
}

async function ceremony(form, { autofill = false } = {}) {
  const { challengeId, options } = await fetchOptions(form);
  const result = form.dataset.webauthn === 'register'
    ? await browser.startRegistration({ optionsJSON: options })
    : await browser.startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill });
  form.elements.challengeId.value = challengeId;
  form.elements.response.value = JSON.stringify(result);
  HTMLFormElement.prototype.submit.call(form);
}

function explain(error) {
  if (error?.name === 'NotAllowedError') return 'The request was cancelled or timed out. Try again.';
  if (error?.name === 'InvalidStateError') return 'This key or passkey is already registered.';
  return error?.message || 'Something went wrong. Try again.';
}

for (const form of document.querySelectorAll('form[data-webauthn]')) {
  if (!browser?.browserSupportsWebAuthn()) {
    form.hidden = true; // nothing to offer in this browser; the other ways to sign in remain
    continue;
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    ceremony(form).catch((error) => showError(form, explain(error)));
  });
  if (form.dataset.webauthnAutofill !== undefined) {
    browser.browserSupportsWebAuthnAutofill().then((supported) => {
      if (supported) ceremony(form, { autofill: true }).catch(() => {}); // autofill is an offer: ignoring it is fine
    });
  }
}
