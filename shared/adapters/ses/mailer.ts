import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer } from '../../ports/mailer.ts';

/** Sends through SES v2 (in AWS; locally the same client reaches the local outbox through its endpoint). */
export const makeSesMailer = (client: SESv2Client, fromAddress: string): Mailer => ({
  async send(mail) {
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: fromAddress,
        Destination: { ToAddresses: [mail.to] },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
            ...(mail.inReplyTo ? { Headers: [{ Name: 'In-Reply-To', Value: mail.inReplyTo }] } : {}),
          },
        },
      }),
    );
  },
});
