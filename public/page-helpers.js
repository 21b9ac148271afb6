// Small conveniences the pages work without: copy a block of text to the clipboard
// (data-copy="#id"), show or hide a password field (data-shows="id"), count down a wait
// (data-wait). The copy and show buttons are rendered hidden and shown only here, so that
// without JavaScript nothing half-works.
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

// A button that may be used only after a wait (data-wait seconds, "Send a new code"): disabled
// and counting down, then usable. Without this script it stays usable, and the page says how
// long to wait; pressed early, the server answers with the same wait.
for (const button of document.querySelectorAll('button[data-wait]')) {
  let left = Number(button.dataset.wait);
  if (!(left > 0)) continue;
  const label = button.textContent;
  const tick = () => {
    if (left <= 0) {
      button.disabled = false;
      button.textContent = label;
      return;
    }
    button.disabled = true;
    button.textContent = button.dataset.waiting.replace('{time}', `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`);
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}
