// Subscriber portal: the PIX "copia e cola" button copies the code and says so.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source) return;
  const text = source.value || source.textContent.trim();
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch (error) {
    // No Clipboard API (plain HTTP, old browser): select the text and use the old command.
    source.removeAttribute("readonly");
    source.select();
    copied = document.execCommand && document.execCommand("copy");
    source.setAttribute("readonly", "readonly");
  }
  const feedback = document.getElementById(button.dataset.copyFeedback);
  if (feedback) {
    feedback.textContent = copied ? button.dataset.copiedText : button.dataset.failedText;
    feedback.classList.remove("d-none");
  }
});
