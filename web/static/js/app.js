// The adreel page: the create form, live progress of one job, and the list of recent jobs.
import { ApiError, GraphQLClient } from "./graphql.js";

const KEY_STORAGE = "adreel.apiKey";
const STAGES = ["SCRIPT_GEN", "VOICE_GEN", "VIDEO_GEN", "COMPOSITING"];
const STAGE_LABELS = { SCRIPT_GEN: "script", VOICE_GEN: "voice", VIDEO_GEN: "video", COMPOSITING: "compositing" };
const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELLED"]);
const STATUS_WORDS = {
  PENDING: "Queued", PROCESSING: "In progress", COMPLETED: "Done", FAILED: "Failed", CANCELLED: "Cancelled",
};

const STYLES_QUERY = "query Styles { styles { style name description } }";
const CREATE = `mutation Create($input: CreateJobInput!) {
  createJob(input: $input) { job { id } errors { field code message } }
}`;
const JOB_QUERY = `query Job($id: ID!) {
  job(id: $id) {
    id productName status progress videoUrl errorMessage
    stages { name status progress errorMessage }
  }
}`;
const FOLLOW = `subscription Follow($id: ID!) {
  jobProgress(jobId: $id) {
    sequence status progress stage stageStatus stageProgress message videoUrl errorMessage
  }
}`;
const JOBS_QUERY = `query Recent($first: Int!) {
  jobs(first: $first) {
    edges { node { id productName style status progress videoUrl errorMessage createdAt } }
  }
}`;
const CANCEL = "mutation Cancel($id: ID!) { cancelJob(id: $id) { job { id status } errors { code message } } }";
const RETRY = "mutation Retry($id: ID!) { retryJob(id: $id) { job { id status } errors { code message } } }";

const $ = (selector) => document.querySelector(selector);

// --- the API key -----------------------------------------------------------------------------

function storedKey() {
  try {
    return window.localStorage.getItem(KEY_STORAGE) || "";
  } catch {
    return "";
  }
}

function storeKey(value) {
  try {
    if (value) window.localStorage.setItem(KEY_STORAGE, value);
    else window.localStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage disabled: the key then lasts until the page is closed.
  }
  apiKey = value;
  $("#key-state").textContent = value ? "saved in this browser" : "not set";
}

let apiKey = storedKey();
const api = new GraphQLClient(() => apiKey);

function showBanner(text) {
  const banner = $("#banner");
  banner.textContent = text;
  banner.hidden = !text;
}

function handleAuth(err) {
  if (err instanceof ApiError && err.code === "unauthorized") {
    $("#key-panel").hidden = false;
    $("#key-panel").open = true;
    showBanner(`${err.message} Enter it under “API key” at the top of the page.`);
    $("#api-key").focus();
    return true;
  }
  return false;
}

// --- styles ----------------------------------------------------------------------------------

async function loadStyles() {
  const box = $("#style-options");
  try {
    const data = await api.request(STYLES_QUERY);
    box.replaceChildren(...data.styles.map((style, i) => {
      const label = document.createElement("label");
      label.className = "style-option";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "style";
      input.value = style.style;
      input.required = true;
      input.checked = i === 0;
      const name = document.createElement("strong");
      name.textContent = style.name;
      const desc = document.createElement("span");
      desc.className = "desc";
      desc.textContent = style.description;
      label.append(input, name, desc);
      return label;
    }));
    return true;
  } catch (err) {
    if (!handleAuth(err)) showBanner(`Could not load the styles: ${err.message}`);
    const hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = "Styles could not be loaded.";
    box.replaceChildren(hint);
    return false;
  }
}

// --- the create form -------------------------------------------------------------------------

function clearErrors() {
  document.querySelectorAll("[data-error-for]").forEach((el) => { el.textContent = ""; });
  document.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
}

// Where an error's field path is shown: ["input", "productName"] -> "productName",
// ["input", "keyBenefits", "1"] -> "keyBenefits.1" (next to the second benefit), no path -> "form".
function errorKey(field) {
  const path = field && field[0] === "input" ? field.slice(1) : field || [];
  return path.length ? path.join(".") : "form";
}

function showFieldErrors(errors) {
  let first = null;
  for (const error of errors) {
    const key = errorKey(error.field);
    const top = key.split(".")[0];
    const slot = document.querySelector(`[data-error-for="${CSS.escape(key)}"]`)
      || document.querySelector(`[data-error-for="${CSS.escape(top)}"]`)
      || $("#form-error");
    slot.textContent = slot.textContent ? `${slot.textContent} ${error.message}` : error.message;
    const input = document.querySelector(`[data-field="${CSS.escape(key)}"]`) || document.getElementById(key)
      || document.getElementById(top);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      first = first || input;
    }
  }
  if (first) first.focus();
}

const DESCRIPTION_MAX = 500;

function showDescriptionCount() {
  const used = $("#productDescription").value.length;
  const count = $("#productDescription-count");
  count.textContent = `${used} of ${DESCRIPTION_MAX} characters`;
  count.toggleAttribute("data-near-limit", used >= DESCRIPTION_MAX - 50);
}

// The benefits to send: the non-blank ones, trimmed, each with the form field it came from
// (so an error on keyBenefits[i] is shown next to the field the person typed it in).
function benefitsToSend() {
  return [...document.querySelectorAll("input[name=keyBenefit]")]
    .map((field, slot) => ({ text: field.value.trim(), slot }))
    .filter((benefit) => benefit.text);
}

function fieldsOfSentBenefits(errors, benefits) {
  return errors.map((error) => {
    const field = error.field || [];
    if (field[0] !== "input" || field[1] !== "keyBenefits" || field.length < 3) return error;
    const sent = benefits[Number(field[2])];
    if (!sent) return error;
    // The server names the list item ("keyBenefits[1] contains …"); the page names the field.
    const message = error.message.replace(`keyBenefits[${field[2]}]`, `Benefit ${sent.slot + 1}`);
    return { ...error, message, field: ["input", "keyBenefits", String(sent.slot), ...field.slice(3)] };
  });
}

const MAX_PHOTOS = 8; // the API's limit on productImages

// The server names a photo by its place in productImages; the page names its file as well.
function namedPhotoErrors(errors, photos) {
  return errors.map((error) => {
    const field = error.field || [];
    const photo = field[1] === "productImages" ? photos[Number(field[2])] : null;
    if (field[0] !== "input" || !photo) return error;
    return { ...error, message: `Photo ${Number(field[2]) + 1} (${photo.name}): ${error.message}` };
  });
}

// A 413 is about the whole request: say which files made it too large.
function tooLargeReason(photoCount, hasTrack) {
  const photos = photoCount > 1 ? "The photos" : "The photo";
  if (!photoCount) return "The music file is too large for this server.";
  if (hasTrack) return `${photos} and the music together are too large for this server.`;
  return `${photos} ${photoCount > 1 ? "are" : "is"} too large for this server.`;
}

// With a product page, the name may be left blank: the page's is used.
function nameNeededUnlessPage() {
  $("#productName").required = !$("#productUrl").value.trim();
}

async function submitJob(event) {
  event.preventDefault();
  clearErrors();
  const form = event.currentTarget;
  const button = $("#submit");
  const data = new FormData(form);
  const photos = [...$("#productImages").files];
  const track = $("#musicTrack").files[0] || null;
  const benefits = benefitsToSend();
  const productUrl = String(data.get("productUrl") || "").trim() || null;
  const productName = String(data.get("productName") || "");
  const input = {
    productName: productUrl && !productName.trim() ? null : productName,
    productUrl,
    style: String(data.get("style") || ""),
    ctaText: String(data.get("ctaText") || ""),
    aspectRatio: String(data.get("aspectRatio") || "PORTRAIT"),
    productImages: photos.length ? photos.map(() => null) : null,
    productDescription: String(data.get("productDescription") || "").trim() || null,
    keyBenefits: benefits.length ? benefits.map((benefit) => benefit.text) : null,
    music: String(data.get("music") || "AUTO"),
    musicTrack: null,
  };
  const problems = [];
  if (!input.style) problems.push({ field: ["input", "style"], message: "Choose a style." });
  if (photos.length > MAX_PHOTOS) {
    problems.push({
      field: ["input", "productImages"],
      message: `Choose at most ${MAX_PHOTOS} photos (${photos.length} are chosen).`,
    });
  }
  if (track && input.music === "NONE") {
    problems.push({
      field: ["input", "musicTrack"],
      message: "“No music” is chosen: choose “Matched to the style” to use your own music, or remove the file.",
    });
  }
  if (problems.length) {
    showFieldErrors(problems);
    return;
  }
  button.disabled = true;
  button.textContent = "Sending…";
  try {
    const files = { "input.musicTrack": track };
    photos.forEach((photo, i) => { files[`input.productImages.${i}`] = photo; });
    const result = await api.request(CREATE, { input }, files);
    const payload = result.createJob;
    if (payload.errors.length) {
      showFieldErrors(namedPhotoErrors(fieldsOfSentBenefits(payload.errors, benefits), photos));
      return;
    }
    showBanner("");
    follow(payload.job.id);
    refreshJobs();
  } catch (err) {
    if (handleAuth(err)) return;
    const why = err.status === 413 && (photos.length || track)
      ? tooLargeReason(photos.length, Boolean(track)) : err.message;
    $("#form-error").textContent = `The job was not created: ${why}`;
  } finally {
    button.disabled = false;
    button.textContent = "Make the ad";
  }
}

// --- following one job -----------------------------------------------------------------------

const current = { jobId: null, stop: null, status: null, attempts: 0, retryTimer: null };

function setBar(name, status, value) {
  const bar = document.querySelector(`.bar[data-stage="${name}"]`);
  const progress = bar.querySelector("progress");
  const pct = Math.max(0, Math.min(100, Math.round(value)));
  progress.value = pct;
  progress.textContent = `${pct}%`;
  bar.querySelector(".pct").textContent = `${pct}%`;
  if (status) {
    bar.dataset.status = status;
    bar.querySelector(".state").textContent = status.toLowerCase();
  }
}

function setStage(name, status, value) {
  setBar(name, status, status === "COMPLETED" ? 100 : value || 0);
}

function applyEvent(event) {
  if (event.stage && event.stageStatus) {
    if (event.stageStatus === "PROCESSING" || event.stageStatus === "COMPLETED") {
      for (const earlier of STAGES.slice(0, STAGES.indexOf(event.stage))) setStage(earlier, "COMPLETED", 100);
    }
    setStage(event.stage, event.stageStatus, event.stageProgress);
  }
  if (event.status === "COMPLETED") STAGES.forEach((name) => setStage(name, "COMPLETED", 100));
  setBar("overall", "", event.progress);
  showJobState(event);
}

function showJobState(job) {
  current.status = job.status;
  const words = {
    PENDING: "Queued: waiting for a worker…",
    PROCESSING: `Making your ad${job.stage ? `: ${STAGE_LABELS[job.stage]}` : ""}${job.message ? ` (${job.message})` : ""}…`,
    COMPLETED: "Done: your ad is ready.",
    FAILED: "The job failed.",
    CANCELLED: "The job was cancelled.",
  };
  $("#job-status").textContent = words[job.status] || job.status;
  const error = $("#job-error");
  error.hidden = !(job.status === "FAILED" && job.errorMessage);
  error.textContent = job.status === "FAILED" && job.errorMessage ? `Why: ${job.errorMessage}` : "";
  $("#job-cancel").hidden = TERMINAL.has(job.status);
  $("#job-retry").hidden = !(job.status === "FAILED" || job.status === "CANCELLED");
  if (job.status === "COMPLETED" && job.videoUrl) showVideo(job.videoUrl);
}

function showVideo(url) {
  const video = $("#video");
  if (video.getAttribute("src") !== url) {
    video.src = url;
    video.load();
  }
  const link = $("#download");
  link.href = url;
  link.setAttribute("download", `adreel-${current.jobId.slice(0, 8)}.mp4`);
  $("#result").hidden = false;
}

function resetPanel(jobId) {
  $("#job-panel").hidden = false;
  $("#job-title").textContent = "Your ad";
  $("#result").hidden = true;
  const video = $("#video");
  video.removeAttribute("src");
  video.load();
  [...STAGES, "overall"].forEach((name) => setBar(name, name === "overall" ? "" : "PENDING", 0));
  $("#job-status").textContent = "Connecting…";
  $("#job-error").hidden = true;
  current.jobId = jobId;
  current.attempts = 0;
}

function stopFollowing() {
  if (current.stop) current.stop();
  current.stop = null;
  clearTimeout(current.retryTimer);
}

async function follow(jobId) {
  stopFollowing();
  resetPanel(jobId);
  try {
    const data = await api.request(JOB_QUERY, { id: jobId });
    if (!data.job) {
      $("#job-status").textContent = "This job does not exist (or is not yours).";
      return;
    }
    $("#job-title").textContent = data.job.productName;
    data.job.stages.forEach((s) => setStage(s.name, s.status, s.progress));
    setBar("overall", "", data.job.progress);
    showJobState(data.job);
  } catch (err) {
    if (!handleAuth(err)) $("#job-status").textContent = `Could not load the job: ${err.message}`;
    return;
  }
  $("#job-panel").scrollIntoView({ behavior: "smooth", block: "nearest" });
  subscribe(jobId);
}

function subscribe(jobId) {
  current.stop = api.subscribe(FOLLOW, { id: jobId }, {
    next(data) {
      current.attempts = 0;
      applyEvent(data.jobProgress);
    },
    complete() {
      current.stop = null;
      refreshJobs();
    },
    error(err) {
      current.stop = null;
      if (handleAuth(err)) return;
      if (err.code === "closed" && current.jobId === jobId && current.attempts < 6) {
        // The snapshot comes first on every subscription, so reconnecting loses nothing.
        const delay = Math.min(10000, 500 * 2 ** current.attempts);
        current.attempts += 1;
        $("#job-status").textContent = `Live progress interrupted; reconnecting in ${Math.round(delay / 1000)} s…`;
        current.retryTimer = setTimeout(() => subscribe(jobId), delay);
        return;
      }
      $("#job-status").textContent = `Live progress stopped: ${err.message}`;
    },
  });
}

async function jobAction(kind, jobId) {
  const mutation = kind === "cancel" ? CANCEL : RETRY;
  try {
    const data = await api.request(mutation, { id: jobId });
    const payload = kind === "cancel" ? data.cancelJob : data.retryJob;
    if (payload.errors.length) {
      showBanner(`Could not ${kind} the job: ${payload.errors.map((e) => e.message).join("; ")}`);
    } else {
      showBanner("");
      if (kind === "retry" || current.jobId === jobId) follow(jobId);
    }
  } catch (err) {
    if (!handleAuth(err)) showBanner(`Could not ${kind} the job: ${err.message}`);
  }
  refreshJobs();
}

// --- recent jobs -----------------------------------------------------------------------------

let refreshTimer = null;

function button(text, label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "small secondary";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

function cell(text, className = "") {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function jobRow(job) {
  const tr = document.createElement("tr");
  tr.dataset.jobId = job.id;
  const status = cell("");
  const badge = document.createElement("span");
  badge.className = `status ${job.status}`;
  badge.textContent = STATUS_WORDS[job.status] || job.status;
  status.append(badge);
  if (job.status === "FAILED" && job.errorMessage) {
    const why = document.createElement("div");
    why.className = "job-error-cell";
    why.textContent = job.errorMessage;
    status.append(why);
  }
  const actions = cell("", "actions-cell");
  const name = job.productName;
  actions.append(button("Watch", `Watch ${name}`, () => follow(job.id)));
  if (!TERMINAL.has(job.status)) actions.append(button("Cancel", `Cancel ${name}`, () => jobAction("cancel", job.id)));
  if (job.status === "FAILED" || job.status === "CANCELLED") {
    actions.append(button("Retry", `Retry ${name}`, () => jobAction("retry", job.id)));
  }
  if (job.status === "COMPLETED" && job.videoUrl) {
    const link = document.createElement("a");
    link.href = job.videoUrl;
    link.textContent = "Download";
    link.setAttribute("download", `adreel-${job.id.slice(0, 8)}.mp4`);
    link.setAttribute("aria-label", `Download the ad for ${name}`);
    actions.append(link);
  }
  const style = job.style.charAt(0) + job.style.slice(1).toLowerCase();
  tr.append(
    cell(name), cell(style), status, cell(`${job.progress}%`),
    cell(new Date(job.createdAt).toLocaleString()), actions,
  );
  return tr;
}

async function refreshJobs() {
  clearTimeout(refreshTimer);
  try {
    const data = await api.request(JOBS_QUERY, { first: 20 });
    const jobs = data.jobs.edges.map((edge) => edge.node);
    $("#jobs tbody").replaceChildren(...jobs.map(jobRow));
    $("#jobs-empty").hidden = jobs.length > 0;
    $("#jobs-error").textContent = "";
    // While some job is still moving, keep the list's statuses fresh.
    if (jobs.some((job) => !TERMINAL.has(job.status))) refreshTimer = setTimeout(refreshJobs, 4000);
  } catch (err) {
    if (!handleAuth(err)) $("#jobs-error").textContent = `Could not load your jobs: ${err.message}`;
  }
}

// --- start -----------------------------------------------------------------------------------

async function start() {
  storeKey(apiKey);
  $("#api-key").value = apiKey;
  $("#key-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    storeKey($("#api-key").value.trim());
    showBanner("");
    if (await loadStyles()) {
      $("#key-panel").open = false;
      refreshJobs();
    }
  });
  $("#key-forget").addEventListener("click", () => {
    storeKey("");
    $("#api-key").value = "";
  });
  $("#create-form").addEventListener("submit", submitJob);
  $("#productDescription").addEventListener("input", showDescriptionCount);
  showDescriptionCount(); // a reload may have kept what was typed
  $("#productUrl").addEventListener("input", nameNeededUnlessPage);
  nameNeededUnlessPage();
  $("#jobs-refresh").addEventListener("click", refreshJobs);
  $("#job-cancel").addEventListener("click", () => current.jobId && jobAction("cancel", current.jobId));
  $("#job-retry").addEventListener("click", () => current.jobId && jobAction("retry", current.jobId));
  if (await loadStyles()) {
    // Answered without a key: the server is in local mode, and there is no key to ask for.
    // With a saved key, the panel stays in reach to change or forget it.
    $("#key-panel").hidden = !apiKey;
    refreshJobs();
  }
  document.body.dataset.ready = "true";
}

start();
