// Small conveniences the pages work without: copy a block of text to the clipboard
// (data-copy="#id"), and show or hide a password field (data-shows="id"). Their buttons are
// rendered hidden and shown only here, so that without JavaScript nothing half-works.
for (const button of document.querySelectorAll('button[data-copy]')) {
  const source = document.querySelector(button.dataset.copy);
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(source.innerText.trim());
    button.textContent = button.dataset.copied;
  });
}

for (const button of document.querySelectorAll('button[data-shows]')) {
  const field = document.getElementById(button.dataset.shows);
  if (!field) continue;
  button.hidden = false;
  button.addEventListener('click', () => {
    const showing = field.type === 'text';
    field.type = showing ? 'password' : 'text';
    button.setAttribute('aria-pressed', String(!showing));
    button.textContent = showing ? button.dataset.show : button.dataset.hide;
  });
}
