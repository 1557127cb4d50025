/** Outbound e-mail to people (acknowledgements, refusals, reminders): SES in AWS, the local outbox locally. */
export interface OutboundEmail {
  to: string;
  subject: string;
  text: string;
  /** Threads the reply under the employee's message. */
  inReplyTo?: string;
}

export interface Mailer {
  send(mail: OutboundEmail): Promise<void>;
}
