// Live strength advice for new-password fields, from zxcvbn-ts served by this server. Advice only:
// the server's password policy decides, and without this script the form works the same.
//
// A page opts in with, inside the form:
//   <input id="password" name="password" type="password" autocomplete="new-password"
//          aria-describedby="password-strength" data-strength-labels='["Very weak", …]' data-password-strength>
//   <p id="password-strength" class="password-strength" aria-live="polite" hidden></p>
//   <script type="module" src="/static/password-strength.js"></script>
// The advice goes in the .password-strength element the input's aria-describedby names, else in a
// .password-strength sibling. Email and name fields of the same form count as guessable words.
// The advice is in the page's language where zxcvbn-ts has it (German, French), else English.

const VENDOR = '/static/vendor/zxcvbn-ts/';
/** The languages zxcvbn-ts can give advice in, besides English (the page's <html lang> picks). */
const ADVICE_LANGUAGES = ['de', 'fr'];
const LANGUAGE = ADVICE_LANGUAGES.includes(document.documentElement.lang) ? document.documentElement.lang : 'en';
const PERSONAL_FIELDS = 'input[autocomplete~="email"], input[autocomplete~="username"], input[autocomplete~="name"], '
  + 'input[autocomplete~="given-name"], input[autocomplete~="family-name"]';

let estimator;

/** zxcvbn-ts's builds are classic scripts (CSP allows them from 'self'); about 1.7 MB, so fetched on first use. */
function loadEstimator() {
  const packs = ['core', 'language-common', 'language-en', ...(LANGUAGE === 'en' ? [] : [`language-${LANGUAGE}`])];
  estimator ??= Promise.all(packs.map((name) => new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${VENDOR}${name}.js`;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${script.src}`));
    document.head.append(script);
  }))).then(() => {
    const { core, 'language-common': common, 'language-en': en } = window.zxcvbnts;
    // the advice in the page's language; the dictionaries stay common and English ones
    const translations = window.zxcvbnts[`language-${LANGUAGE}`]?.translations ?? en.translations;
    return new core.ZxcvbnFactory({
      translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
    });
  });
  return estimator;
}

function outputFor(input) {
  const described = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)).find((element) => element?.classList.contains('password-strength'));
  return described ?? input.parentElement?.querySelector('.password-strength');
}

/** What the person typed elsewhere in the form, with an address split into its guessable parts. */
function userInputs(form) {
  if (!form) return [];
  return [...form.querySelectorAll(PERSONAL_FIELDS)].flatMap((field) => {
    const value = field.value.trim().toLowerCase();
    return value ? [value, ...value.split(/[^\p{L}\p{N}]+/u).filter((part) => part.length >= 3)] : [];
  });
}

/** The words for the five scores, as the page gives them (data-strength-labels), English otherwise. */
const labelsOf = (input) => {
  try {
    return JSON.parse(input.dataset.strengthLabels);
  } catch {
    return ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];
  }
};

function show(output, password, result, labels) {
  output.replaceChildren();
  output.hidden = password === '';
  if (output.hidden) return;
  const meter = document.createElement('span');
  meter.className = 'password-strength-meter';
  meter.dataset.score = String(result.score);
  const label = document.createElement('strong');
  label.textContent = `${labels[result.score]}.`;
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  output.append(meter, label, advice ? ` ${advice}` : '');
}

function watch(input) {
  const output = outputFor(input);
  if (!output) return;
  let timer;
  const update = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const zxcvbn = await loadEstimator();
        show(output, input.value, zxcvbn.check(input.value, userInputs(input.form)), labelsOf(input));
      } catch {
        output.hidden = true; // no advice rather than wrong advice; the server still checks
      }
    }, 150);
  };
  input.addEventListener('focus', () => { loadEstimator().catch(() => {}); }, { once: true });
  // the whole form: typing an email or name after the password changes the verdict too
  (input.form ?? input).addEventListener('input', update);
  if (input.value) update(); // typed or restored by the browser before this script ran
}

document.querySelectorAll('input[data-password-strength]').forEach(watch);
