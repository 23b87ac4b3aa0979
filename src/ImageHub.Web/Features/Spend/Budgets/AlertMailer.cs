using System.Threading.Channels;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace ImageHub.Web.Features.Spend.Budgets;

/// <summary>SMTP for alert e-mail (<c>Smtp:*</c>); without a host, no e-mail is sent.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string From { get; set; } = "imagehub@localhost";
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary><c>Auto</c> (STARTTLS when the server offers it), <c>None</c>, <c>StartTls</c> or <c>SslOnConnect</c>.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>One alert e-mail: its recipients, subject and text.</summary>
public sealed record AlertMail(IReadOnlyList<string> To, string Subject, string Text);

/// <summary>Queues alert e-mail after the ledger commits; <see cref="AlertMailSender"/> sends it (MailKit) when SMTP is configured.</summary>
public sealed class AlertMailer(IOptionsMonitor<SmtpOptions> options)
{
    private readonly Channel<AlertMail> queue = Channel.CreateUnbounded<AlertMail>();

    public ChannelReader<AlertMail> Reader => queue.Reader;

    public void Enqueue(AlertMail mail)
    {
        if (options.CurrentValue.Enabled && mail.To.Count > 0) queue.Writer.TryWrite(mail);
    }
}

public sealed class AlertMailSender(AlertMailer mailer, IOptionsMonitor<SmtpOptions> options, ILogger<AlertMailSender> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var mail in mailer.Reader.ReadAllAsync(stoppingToken))
        {
            var smtp = options.CurrentValue;
            try
            {
                var message = new MimeMessage();
                message.From.Add(MailboxAddress.Parse(smtp.From));
                foreach (var to in mail.To) message.To.Add(MailboxAddress.Parse(to));
                message.Subject = mail.Subject;
                message.Body = new TextPart("plain") { Text = mail.Text + "\n\nSee /spend/budgets in ImageHub." };
                using var client = new SmtpClient();
                await client.ConnectAsync(smtp.Host ?? "", smtp.Port, smtp.Security, stoppingToken);
                if (!string.IsNullOrEmpty(smtp.Username)) await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", stoppingToken);
                await client.SendAsync(message, stoppingToken);
                await client.DisconnectAsync(true, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Could not send the alert e-mail \"{Subject}\" through {Host}:{Port}: {Reason}", mail.Subject, smtp.Host, smtp.Port, e.Message);
            }
        }
    }
}
