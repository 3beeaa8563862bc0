"""Ticket types, orders, tickets, refunded tickets and the waiting list, moved here from the
`events` app with their rows.

events' migration 0014 renamed their tables to this app's names; this one only adds the
models to this app's state, as they were in events (no table is made or changed). events'
0015 takes them out of events' state and hands their content types over.
"""

import django.db.models.deletion
import tickets.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('events', '0014_ticket_tables_take_tickets_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Order',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(default=tickets.models.new_order_reference, editable=False, max_length=12, unique=True, verbose_name='reference')),
                        ('token', models.CharField(default=tickets.models.new_order_token, editable=False, max_length=64, unique=True, verbose_name='access token')),
                        ('network_key', models.CharField(blank=True, default='', editable=False, help_text='A keyed hash of the network address the order came from (never the address itself), so the places one network holds unpaid can be limited.', max_length=64, verbose_name='network key')),
                        ('idempotency_key', models.CharField(blank=True, editable=False, help_text='One per checkout form, so the same submission never makes two orders.', max_length=64, null=True, unique=True, verbose_name='submission key')),
                        ('buyer_name', models.CharField(max_length=200, verbose_name='name')),
                        ('email', models.EmailField(max_length=254, verbose_name='email')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                        ('address_line1', models.CharField(blank=True, max_length=200, verbose_name='address line 1')),
                        ('address_line2', models.CharField(blank=True, max_length=200, verbose_name='address line 2')),
                        ('city', models.CharField(blank=True, max_length=100, verbose_name='city')),
                        ('region', models.CharField(blank=True, max_length=100, verbose_name='state')),
                        ('postal_code', models.CharField(blank=True, max_length=20, verbose_name='ZIP code')),
                        ('country', models.CharField(blank=True, max_length=2, verbose_name='country')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('confirmed', 'Confirmed'), ('cancelled', 'Cancelled'), ('expired', 'Expired'), ('refunded', 'Refunded')], default='pending', max_length=20, verbose_name='status')),
                        ('total', models.DecimalField(decimal_places=2, default=0, max_digits=10, verbose_name='total')),
                        ('payment_method', models.CharField(blank=True, max_length=20, verbose_name='payment method')),
                        ('payment_instructions', models.TextField(blank=True, verbose_name='payment instructions')),
                        ('paid_at', models.DateTimeField(blank=True, null=True, verbose_name='paid at')),
                        ('hold_expires_at', models.DateTimeField(blank=True, null=True, verbose_name='hold expires at')),
                        ('pay_by', models.DateTimeField(blank=True, help_text='An unpaid reservation is released at this moment.', null=True, verbose_name='pay by')),
                        ('payment_reminder_due_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='payment reminder due')),
                        ('payment_reminder_sent_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='payment reminder sent')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed at')),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled at')),
                        ('venue_notice_sent_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='venue notice sent')),
                        ('venue_update_sent_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='update of time or place sent')),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='events.event', verbose_name='event')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='orders', to=settings.AUTH_USER_MODEL, verbose_name='account')),
                    ],
                    options={
                        'verbose_name': 'order',
                        'verbose_name_plural': 'orders',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='TicketType',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('description', models.CharField(blank=True, max_length=300, verbose_name='description')),
                        ('price', models.DecimalField(decimal_places=2, default=0, max_digits=8, verbose_name='price')),
                        ('member_price', models.DecimalField(blank=True, decimal_places=2, help_text='For members in good standing. Empty: members pay the price.', max_digits=8, null=True, verbose_name='member price')),
                        ('quantity', models.PositiveIntegerField(verbose_name='quantity')),
                        ('reserved', models.PositiveIntegerField(default=0, editable=False, help_text='Tickets held or sold; kept by the inventory module.', verbose_name='reserved')),
                        ('sales_start', models.DateTimeField(blank=True, null=True, verbose_name='on sale from')),
                        ('sales_end', models.DateTimeField(blank=True, null=True, verbose_name='on sale until')),
                        ('max_per_order', models.PositiveSmallIntegerField(default=10, verbose_name='maximum per order')),
                        ('goods_value', models.DecimalField(blank=True, decimal_places=2, help_text='What a ticket buys (a $40 dinner in a $100 supporter ticket): receipts of payments over $75 state the rest as deductible. Empty: no statement.', max_digits=8, null=True, verbose_name='value of goods and services')),
                        ('members_only', models.BooleanField(default=False, verbose_name='members only')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ticket_types', to='events.event', verbose_name='event')),
                    ],
                    options={
                        'verbose_name': 'ticket type',
                        'verbose_name_plural': 'ticket types',
                        'ordering': ['event', 'position', 'price', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Ticket',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('price', models.DecimalField(decimal_places=2, default=0, max_digits=8, verbose_name='price paid')),
                        ('attendee_name', models.CharField(blank=True, max_length=200, verbose_name='attendee')),
                        ('meal_choice', models.CharField(blank=True, max_length=120, verbose_name='meal')),
                        ('dietary_notes', models.CharField(blank=True, max_length=300, verbose_name='dietary notes')),
                        ('code', models.CharField(default=tickets.models.new_ticket_code, editable=False, max_length=32, unique=True, verbose_name='code')),
                        ('checked_in_at', models.DateTimeField(blank=True, null=True, verbose_name='checked in at')),
                        ('checked_in_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked in by')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tickets', to='tickets.order', verbose_name='order')),
                        ('ticket_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='tickets.tickettype', verbose_name='ticket type')),
                    ],
                    options={
                        'verbose_name': 'ticket',
                        'verbose_name_plural': 'tickets',
                        'ordering': ['order', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='RefundedTicket',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('price', models.DecimalField(decimal_places=2, default=0, max_digits=8, verbose_name='price paid')),
                        ('attendee_name', models.CharField(blank=True, max_length=200, verbose_name='attendee')),
                        ('code', models.CharField(editable=False, max_length=32, unique=True, verbose_name='code')),
                        ('refunded_at', models.DateTimeField(verbose_name='refunded at')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='refunded_tickets', to='tickets.order', verbose_name='order')),
                        ('ticket_type', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tickets.tickettype', verbose_name='ticket type')),
                    ],
                    options={
                        'verbose_name': 'refunded ticket',
                        'verbose_name_plural': 'refunded tickets',
                        'ordering': ['order', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='WaitlistEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('email', models.EmailField(max_length=254, verbose_name='email')),
                        ('quantity', models.PositiveSmallIntegerField(default=1, verbose_name='tickets wanted')),
                        ('token', models.CharField(default=tickets.models.new_order_token, editable=False, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='joined')),
                        ('offered_at', models.DateTimeField(blank=True, null=True, verbose_name='offered at')),
                        ('offered_quantity', models.PositiveSmallIntegerField(blank=True, help_text='How many places the offer keeps for this person: what had come back when it was made, at most the number wanted.', null=True, verbose_name='places offered')),
                        ('offer_expires_at', models.DateTimeField(blank=True, null=True, verbose_name='offer expires at')),
                        ('fulfilled_at', models.DateTimeField(blank=True, null=True, verbose_name='bought at')),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='waitlist', to='events.event', verbose_name='event')),
                        ('ticket_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='waitlist', to='tickets.tickettype', verbose_name='ticket type')),
                    ],
                    options={
                        'verbose_name': 'waiting-list entry',
                        'verbose_name_plural': 'waiting list',
                        'ordering': ['event', 'created_at', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='order',
                    index=models.Index(fields=['status', 'hold_expires_at'], name='events_orde_status_c408a2_idx'),
                ),
                migrations.AddIndex(
                    model_name='order',
                    index=models.Index(condition=models.Q(('paid_at__isnull', True)), fields=['pay_by'], name='order_unpaid_pay_by'),
                ),
                migrations.AddConstraint(
                    model_name='order',
                    constraint=models.CheckConstraint(condition=models.Q(('total__gte', 0)), name='order_total_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='order',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'pending'), _negated=True), ('hold_expires_at__isnull', False), _connector='OR'), name='order_pending_has_hold_expiry'),
                ),
                migrations.AddConstraint(
                    model_name='tickettype',
                    constraint=models.CheckConstraint(condition=models.Q(('reserved__lte', models.F('quantity'))), name='ticket_type_never_oversold'),
                ),
                migrations.AddConstraint(
                    model_name='tickettype',
                    constraint=models.CheckConstraint(condition=models.Q(('price__gte', 0)), name='ticket_type_price_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='tickettype',
                    constraint=models.CheckConstraint(condition=models.Q(('member_price__isnull', True), ('member_price__gte', 0), _connector='OR'), name='ticket_type_member_price_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='tickettype',
                    constraint=models.CheckConstraint(condition=models.Q(('max_per_order__gte', 1)), name='ticket_type_max_per_order_positive'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistentry',
                    constraint=models.UniqueConstraint(models.F('event'), models.F('email'), name='waitlist_one_entry_per_email_per_event'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistentry',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('offered_at__isnull', True), ('offered_quantity__isnull', True)), models.Q(('offered_at__isnull', False), ('offered_quantity__gte', 1), ('offered_quantity__lte', models.F('quantity'))), _connector='OR'), name='waitlist_offer_keeps_between_one_and_the_places_wanted'),
                ),
            ],
        ),
    ]
