import { html, nothing } from 'lit-html';
import type { TemplateResult } from 'lit-html';
import type { DeliveryAttempt, Event } from '../api.js';
import type { Controller } from '../controller.js';
import { formatDateTime } from '../format.js';
import type { AccountPage, EndpointDeliveries } from '../state.js';
import { errorLine } from './layout.js';

/** The tree's events, oldest first, a page at a time (docs/webhooks.md). */
export function eventsSection(c: Controller, page: AccountPage): TemplateResult {
  const { t, state } = c;
  return html`<section aria-labelledby="events-title">
    <h2 id="events-title">${t.events}</h2>
    ${errorLine(page.eventsError)}
    ${
      page.events.length === 0 && !page.eventsLoading
        ? html`<p class="help">${t.noEvents}</p>`
        : html`<div class="scroll">
            <table class="events">
              <caption class="visually-hidden">
                ${t.events}
              </caption>
              <thead>
                <tr>
                  <th scope="col" class="num">${t.sequence}</th>
                  <th scope="col">${t.date}</th>
                  <th scope="col">${t.eventType}</th>
                  <th scope="col">${t.eventSummary}</th>
                </tr>
              </thead>
              <tbody>
                ${page.events.map(
                  (event) =>
                    html`<tr data-event-id=${event.id}>
                      <td class="num">${event.sequence}</td>
                      <td>${formatDateTime(event.createdAt, state.language)}</td>
                      <td><code>${event.type}</code></td>
                      <td class="wrap"><code>${summary(event)}</code></td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    ${page.eventsLoading ? html`<p class="help">${t.loading}</p>` : nothing}
    ${
      page.eventsMore && !page.eventsLoading
        ? html`<button type="button" class="quiet" @click=${() => void c.moreEvents()}>${t.loadMore}</button>`
        : nothing
    }
  </section>`;
}

/** An event's object in a line: its fields as the API wrote them, money as exact text. */
function summary(event: Event): string {
  return Object.entries(event.data)
    .filter(([, value]) => value !== null && typeof value !== 'object')
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
}

/** The account's webhook endpoints, each with its latest attempts and a resend button per attempt. */
export function webhooksSection(c: Controller, page: AccountPage): TemplateResult {
  const { t } = c;
  return html`<section aria-labelledby="webhooks-title">
    <h2 id="webhooks-title">${t.webhooks}</h2>
    ${errorLine(page.webhooksError)}
    ${page.webhooksLoading ? html`<p class="help">${t.loading}</p>` : nothing}
    ${
      page.webhooks.length === 0 && !page.webhooksLoading
        ? html`<p class="help">${t.noWebhooks}</p>`
        : page.webhooks.map((entry) => endpointCard(c, entry))
    }
  </section>`;
}

function endpointCard(c: Controller, entry: EndpointDeliveries): TemplateResult {
  const { t } = c;
  const { endpoint } = entry;
  return html`<article class="card webhook" data-webhook-id=${endpoint.id}>
    <h3>
      <code>${endpoint.url}</code>
      <span class="badge ${endpoint.status === 'enabled' ? 'active' : 'suspended'}"
        >${endpoint.status === 'enabled' ? t.enabled : t.disabled}</span
      >
    </h3>
    <p class="help">${endpoint.types === null ? t.allTypes : endpoint.types.join(', ')}</p>
    ${
      entry.attempts.length === 0
        ? html`<p class="help">${t.noDeliveries}</p>`
        : html`<div class="scroll">
            <table class="deliveries">
              <caption class="visually-hidden">
                ${t.deliveries(endpoint.url)}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t.date}</th>
                  <th scope="col">${t.event}</th>
                  <th scope="col" class="num">${t.attempt}</th>
                  <th scope="col">${t.outcome}</th>
                  <th scope="col" class="num">${t.duration}</th>
                  <th scope="col"><span class="visually-hidden">${t.resend}</span></th>
                </tr>
              </thead>
              <tbody>
                ${entry.attempts.map((attempt) => attemptRow(c, entry, attempt))}
              </tbody>
            </table>
          </div>`
    }
  </article>`;
}

function attemptRow(c: Controller, entry: EndpointDeliveries, attempt: DeliveryAttempt): TemplateResult {
  const { t, state } = c;
  const delivered = attempt.status !== null && attempt.status >= 200 && attempt.status < 300;
  const outcome = [attempt.status === null ? null : `HTTP ${attempt.status}`, attempt.error]
    .filter((part) => part !== null)
    .join(' — ');
  return html`<tr>
    <td>${formatDateTime(attempt.at, state.language)}</td>
    <td><code>${attempt.eventId}</code></td>
    <td class="num">${attempt.attempt}</td>
    <td><span class="outcome ${delivered ? 'delivered' : 'failed'}">${outcome}</span></td>
    <td class="num">${attempt.durationMs} ms</td>
    <td>
      <button
        type="button"
        class="quiet"
        ?disabled=${entry.resending !== null || entry.endpoint.status !== 'enabled'}
        @click=${() => void c.resend(entry.endpoint.id, attempt.eventId)}
      >
        ${t.resend}
      </button>
    </td>
  </tr>`;
}
