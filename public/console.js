// The console works without this script; with it: a confirmation before a form marked
// data-confirm is sent (the server still asks for what it needs, such as the typed address),
// and a list's search box (data-search-as-you-type) fetches the same page as the admin types
// and swaps in its results ([data-results]), as pressing Search would show them.
for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

for (const input of document.querySelectorAll('input[data-search-as-you-type]')) {
  let timer;
  let latest = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const url = `${input.form.action}?${new URLSearchParams(new FormData(input.form))}`;
      const asked = ++latest;
      const response = await fetch(url, { headers: { Accept: 'text/html' } });
      if (!response.ok || asked !== latest) return;
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').querySelector('[data-results]');
      const current = document.querySelector('[data-results]');
      if (!fresh || !current) return;
      current.replaceChildren(...fresh.childNodes); // the same live region, so screen readers announce the new results
      history.replaceState(null, '', url);
    }, 300);
  });
}
