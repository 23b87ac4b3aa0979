using ImageHub.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddImageHub();

var app = builder.Build();
await app.UseImageHubAsync();
await app.RunAsync();

public partial class Program;
